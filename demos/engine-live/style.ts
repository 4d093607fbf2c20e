/** @file Styles of the live engine demo, injected once by `mount` (no CSS import needed). */

/** The demo's stylesheet; everything is scoped under `.engine-live`. */
export const STYLE = `
.engine-live {
  --el-accent: #2563eb;
  --el-border: #e5e7eb;
  --el-muted: #6b7280;
  --el-bg: #ffffff;
  --el-code-bg: #0f172a;
  --el-code-fg: #e2e8f0;
  display: grid;
  gap: 14px;
  padding: 20px;
  background: var(--el-bg);
  border: 1px solid var(--el-border);
  border-radius: 14px;
  box-shadow: 0 1px 2px rgb(0 0 0 / 0.04), 0 8px 24px rgb(15 23 42 / 0.06);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #111827;
}
.engine-live .el-presets { display: flex; flex-wrap: wrap; gap: 8px; }
.engine-live .el-presets button {
  font: inherit; font-size: 14px; padding: 5px 14px; border-radius: 999px; cursor: pointer;
  border: 1px solid var(--el-border); background: #f9fafb; color: inherit;
}
.engine-live .el-presets button:hover { border-color: var(--el-accent); }
.engine-live .el-presets button[aria-checked="true"] {
  background: var(--el-accent); border-color: var(--el-accent); color: white;
}
.engine-live .el-source {
  margin: 0; padding: 12px 14px; border-radius: 10px; overflow-x: auto;
  background: var(--el-code-bg); color: var(--el-code-fg);
  font: 13px/1.5 ui-monospace, "SF Mono", Menlo, Consolas, monospace;
}
.engine-live .el-main { display: grid; grid-template-columns: minmax(240px, 300px) 1fr; gap: 18px; }
@media (max-width: 720px) { .engine-live .el-main { grid-template-columns: 1fr; } }
.engine-live .el-x { display: grid; grid-template-columns: auto 1fr 84px; gap: 10px; align-items: center; }
.engine-live .el-x span { font-style: italic; font-weight: 600; }
.engine-live .el-x input[type=range] { width: 100%; accent-color: var(--el-accent); }
.engine-live .el-x input[type=number] {
  font: inherit; font-size: 14px; width: 100%; box-sizing: border-box;
  padding: 3px 6px; border: 1px solid var(--el-border); border-radius: 6px;
}
.engine-live .el-values { margin: 14px 0; display: grid; gap: 6px; }
.engine-live .el-values div {
  display: flex; justify-content: space-between; gap: 12px;
  padding: 6px 10px; border-radius: 8px; background: #f3f4f6;
}
.engine-live .el-values dt { color: var(--el-muted); }
.engine-live .el-values dd { margin: 0; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 14px; }
.engine-live .el-values .el-check { background: transparent; flex-direction: column; gap: 0; }
.engine-live .el-values .el-check dd { color: var(--el-muted); font-size: 12px; }
.engine-live .el-toggle { color: var(--el-muted); font-size: 14px; }
.engine-live .el-error {
  margin: 10px 0 0; padding: 8px 10px; border-radius: 8px;
  background: #fef2f2; color: #991b1b; border: 1px solid #fecaca; font-size: 14px;
}
.engine-live .el-plot {
  width: 100%; height: 340px; border: 1px solid var(--el-border); border-radius: 10px;
  --plot-curve: #2563eb; --plot-deriv: #94a3b8; --plot-tangent: #e11d48;
  --plot-axis: #9ca3af; --plot-grid: #f1f5f9; --plot-text: #6b7280;
}
`;
