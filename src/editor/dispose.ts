// A Disposable base with _register and an idempotent dispose (as in vscode-extension-samples'
// custom-editor-sample dispose.ts), plus DisposableValue for a swappable "current run" (hexeditor).
// Kept free of the vscode module so the engine client can be unit-tested in plain Node.

export interface IDisposable {
  dispose(): void;
}

export function disposeAll(items: IDisposable[]): void {
  while (items.length) {
    const d = items.pop();
    try {
      d?.dispose();
    } catch (e) {
      console.error(e);
    }
  }
}

export abstract class Disposable implements IDisposable {
  private _disposed = false;
  private readonly _disposables: IDisposable[] = [];

  get isDisposed(): boolean {
    return this._disposed;
  }

  protected _register<T extends IDisposable>(d: T): T {
    if (this._disposed) d.dispose();
    else this._disposables.push(d);
    return d;
  }

  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    disposeAll(this._disposables);
  }
}

/** Holds at most one disposable; setting a new value disposes the old one. */
export class DisposableValue<T extends IDisposable> implements IDisposable {
  private _value: T | undefined;

  get value(): T | undefined {
    return this._value;
  }

  set value(v: T | undefined) {
    if (this._value === v) return;
    this._value?.dispose();
    this._value = v;
  }

  dispose(): void {
    this.value = undefined;
  }
}
