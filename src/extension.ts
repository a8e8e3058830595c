export function activate() { return undefined; }
