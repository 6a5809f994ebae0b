// The one number formatter lives in the engine (src/engine/format/units.ts) so that the engine's own notes use
// it too without importing the report (data flows one way); the report, webview and editor import it from here.
export * from '../engine/format/units';
