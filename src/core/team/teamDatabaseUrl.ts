// The team database's URL as every surface reads it (no pg here: the browser build imports this).

/** What is wrong with a team database URL, if anything: each surface words it its own way. */
export function teamDatabaseUrlProblem(url: string): 'not-a-url' | 'not-postgres' | 'has-password' | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not-a-url';
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol)) return 'not-postgres';
  // A password in the URL would stay in settings, shell history and logs.
  return parsed.password ? 'has-password' : undefined;
}

/** "db.example.com:5432/routing", for messages and bookmarks (never the password). */
export function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'the team database';
  }
}

/** "user@host:port": what a stored password belongs to. */
export function credentialOf(url: string): string {
  try {
    const u = new URL(url);
    return `${decodeURIComponent(u.username) || 'postgres'}@${u.hostname}:${u.port || '5432'}`;
  } catch {
    return url;
  }
}
