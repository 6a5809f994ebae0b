// Commands for bringing your own hardware and for onboarding: write a spec file from a built-in target
// (named *.hwspec.json so the editor validates and completes it against dist/hardware-spec.schema.json,
// and added to onnxProfiler.customSpecFiles so the picker offers it), and open the embedded sample model.
import * as vscode from 'vscode';
import { builtinTargetIds, loadSpec } from '../engine/hardware';
import { specTemplate } from './specTemplate';
import { SETTINGS_SECTION, VIEW_TYPE } from './provider';

export const SPEC_COMMANDS = {
  newSpecFile: 'onnxProfiler.newSpecFile',
  openSample: 'onnxProfiler.openSample',
} as const;

export function registerSpecCommands(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(SPEC_COMMANDS.newSpecFile, async (builtin?: string, target?: vscode.Uri) => {
      const ids = builtinTargetIds();
      const id =
        typeof builtin === 'string' && ids.includes(builtin)
          ? builtin
          : (
              await vscode.window.showQuickPick(
                ids.map((i) => ({ label: String(loadSpec(i).spec.name ?? i), description: i, id: i })),
                { title: 'New hardware spec file: start from which built-in target?' },
              )
            )?.id;
      if (!id) return undefined;
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const dest =
        target instanceof vscode.Uri
          ? target
          : await vscode.window.showSaveDialog({
              defaultUri: folder ? vscode.Uri.joinPath(folder, `${id}-custom.hwspec.json`) : undefined,
              filters: { 'Hardware spec': ['json'] },
              saveLabel: 'Create spec',
            });
      if (!dest) return undefined;
      await vscode.workspace.fs.writeFile(dest, Buffer.from(JSON.stringify(specTemplate(id), null, 2) + '\n'));
      const cfg = vscode.workspace.getConfiguration(SETTINGS_SECTION);
      const files = cfg.get<string[]>('customSpecFiles', []);
      if (!files.includes(dest.fsPath))
        await cfg.update(
          'customSpecFiles',
          [...files, dest.fsPath],
          folder ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global,
        );
      await vscode.window.showTextDocument(dest);
      return dest.fsPath;
    }),
    vscode.commands.registerCommand(SPEC_COMMANDS.openSample, async () => {
      const sample = vscode.Uri.joinPath(context.extensionUri, 'media', 'sample', 'tiny-gpt.onnx');
      await vscode.commands.executeCommand('vscode.openWith', sample, VIEW_TYPE);
      return sample.fsPath;
    }),
  );
}
