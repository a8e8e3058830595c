import type { Database, SqlValue, Statement } from 'sql.js';
import { applyPragmas } from './schema';

/** The SQLite database and its prepared statements: run, read, transactions, export. */
export class SqlSession {
  private statements = new Map<string, Statement>();
  private outbox: boolean | undefined;
  /** Calls pulled from the team database: inserted like any other, but not into the team outbox. */
  readonly pulled = new WeakSet<object>();

  constructor(public db: Database) {}

  statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  all(sql: string, params: SqlValue[]): SqlValue[][] {
    const statement = this.statement(sql);
    try {
      statement.bind(params);
      const rows: SqlValue[][] = [];
      while (statement.step()) rows.push(statement.get());
      return rows;
    } finally {
      statement.reset();
    }
  }

  run(sql: string, params: SqlValue[]): void {
    this.statement(sql).run(params);
  }

  transaction(work: () => void): void {
    this.db.exec('BEGIN');
    try {
      work();
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /** Swaps in another database (a merge reloads the file); the old one is closed. */
  replace(db: Database): void {
    this.freeStatements();
    this.db.close();
    this.db = db;
    this.outbox = undefined;
  }

  /** Whether this file syncs with a team database (it has the outbox: every writer then fills it). */
  get hasOutbox(): boolean {
    return (this.outbox ??= this.all("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'team_outbox'", []).length > 0);
  }

  /** Creates the outbox (see teamOutbox.ts); `hasOutbox` is read again. */
  createOutbox(sql: string): void {
    this.db.exec(sql);
    this.outbox = undefined;
  }

  /** The database bytes as they would be saved. */
  exportBytes(): Uint8Array {
    this.freeStatements();
    const bytes = this.db.export();
    // export() closes and reopens the database: pragmas are reset, statements are gone.
    applyPragmas(this.db);
    return bytes;
  }

  /** Compacts the file after a large deletion (statements are freed and pragmas re-applied around it). */
  vacuum(): void {
    this.freeStatements();
    this.db.exec('VACUUM');
    applyPragmas(this.db);
  }

  /** The safety pragmas in force (applyPragmas re-applies them after export and vacuum, which reset them). */
  safetySettings(): { trustedSchema: boolean; journalMode: string } {
    return {
      trustedSchema: Number(this.all('PRAGMA trusted_schema', [])[0][0]) === 1,
      journalMode: String(this.all('PRAGMA journal_mode', [])[0][0]),
    };
  }

  close(): void {
    this.freeStatements();
    this.db.close();
  }

  private freeStatements(): void {
    for (const statement of this.statements.values()) {
      try {
        statement.free();
      } catch {
        // Already freed by export().
      }
    }
    this.statements.clear();
  }
}
