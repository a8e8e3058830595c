import * as vscode from 'vscode';

/**
 * The dashboard page's HTML: a strict Content Security Policy (no inline code, the one script by
 * nonce, styles and script from the extension's dist/webview folder only, no network at all).
 */
export function dashboardHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = newNonce();
  const asset = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', file)).toString();
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('dashboard.css')}">
<title>Routing Dashboard</title>
</head>
<body>
<main id="root"><p>Loading the routing dashboard…</p></main>
<script nonce="${nonce}" src="${asset('dashboard.js')}"></script>
</body>
</html>`;
}

/** 128 random bits, base64: a new one for every page. */
function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

/** Where the page's files live: the only folder the webview may load from. */
export function dashboardRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')];
}
