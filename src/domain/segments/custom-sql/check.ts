import { CAST_TYPES, FUNCTIONS, OPERATOR, READABLE_TABLES, TABLE_FUNCTIONS } from './allow-list.js';

/**
 * Walks DuckDB's parse tree of a custom SQL query (`json_serialize_sql`) and names everything
 * it may not use. Names are resolved by scope, as the engines do: a CTE is visible in the
 * query that defines it (its own body only when recursive, later siblings' bodies) and in that
 * query's subqueries, nowhere else. So a CTE named like a file or a table in one subquery does
 * not make the real one readable in another.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Node = { [key: string]: Json };

/** Expression classes that compute from their children only; the rest are refused. */
const PLAIN_EXPRESSIONS = new Set(['CONSTANT', 'COLUMN_REF', 'CASE', 'OPERATOR', 'COMPARISON', 'CONJUNCTION', 'BETWEEN', 'SUBQUERY', 'STAR', 'PARAMETER', 'POSITIONAL_REFERENCE']);
/** Query nodes: a SELECT, a UNION/INTERSECT/EXCEPT, the two halves of a recursive CTE. */
const QUERY_NODES = new Set(['SELECT_NODE', 'SET_OPERATION_NODE', 'RECURSIVE_CTE_NODE', 'CTE_NODE']);
/** What a FROM clause may hold (not PIVOT, SHOW/DESCRIBE/SUMMARIZE, column data…). */
const FROM_ITEMS = new Set(['BASE_TABLE', 'JOIN', 'SUBQUERY', 'TABLE_FUNCTION', 'EMPTY', 'EXPRESSION_LIST']);
/**
 * A CTE name: a plain lower-case identifier, so it never looks like a file path, and it means
 * the same on PostgreSQL (where a quoted "Name" would not match an unquoted name) as here.
 */
const CTE_NAME = /^[a-z_][a-z0-9_]*$/;

const isNode = (value: Json | undefined): value is Node => value !== null && typeof value === 'object' && !Array.isArray(value);
const text = (value: Json | undefined): string => (typeof value === 'string' ? value : '');

/** The problems found in one statement's tree, each once, in the order met. */
export function sandboxProblems(statement: Json): string[] {
  const problems = new Set<string>();
  const refuse = (problem: string): void => void problems.add(problem);

  const walk = (value: Json | undefined, scope: ReadonlySet<string>): void => {
    if (Array.isArray(value)) return value.forEach((v) => walk(v, scope));
    if (!isNode(value)) return;
    if (typeof value.class === 'string') return expression(value, scope);
    const type = text(value.type);
    if (type.endsWith('_NODE')) return query(value, scope);
    if (type === 'BASE_TABLE') return table(value, scope);
    if (type === 'TABLE_FUNCTION') return tableFunction(value, scope);
    if (type === 'JOIN') for (const side of [value.left, value.right]) fromItem(side, scope);
    for (const [key, child] of Object.entries(value)) {
      if (key === 'from_table') fromItem(child, scope);
      else if (!(type === 'JOIN' && (key === 'left' || key === 'right'))) walk(child, scope);
    }
  };

  const fromItem = (item: Json | undefined, scope: ReadonlySet<string>): void => {
    if (!isNode(item)) return;
    const type = text(item.type);
    if (!FROM_ITEMS.has(type)) return refuse(`${type.toLowerCase().replaceAll('_', ' ')} in FROM is not allowed`);
    walk(item, scope);
  };

  const query = (node: Node, outer: ReadonlySet<string>): void => {
    const type = text(node.type);
    if (!QUERY_NODES.has(type)) return refuse(`${type.toLowerCase().replaceAll('_', ' ')} is not allowed`);
    // The WITH list: each CTE sees the ones before it; the query itself sees them all.
    const scope = new Set(outer);
    const ctes = isNode(node.cte_map) && Array.isArray(node.cte_map.map) ? node.cte_map.map : [];
    for (const entry of ctes) {
      if (!isNode(entry)) continue;
      const name = text(entry.key);
      if (!CTE_NAME.test(name)) refuse(`CTE "${name}" must be a plain lower-case name (letters, digits, _)`);
      walk(isNode(entry.value) ? entry.value.query : null, new Set(scope));
      scope.add(name);
    }
    for (const [key, child] of Object.entries(node)) {
      if (key === 'cte_map') continue;
      // A recursive CTE reads itself in its recursive half only.
      if (type === 'RECURSIVE_CTE_NODE' && key === 'right') walk(child, new Set([...scope, text(node.cte_name).toLowerCase()]));
      else if (key === 'from_table') fromItem(child, scope);
      else walk(child, scope);
    }
  };

  const table = (node: Node, scope: ReadonlySet<string>): void => {
    const name = text(node.table_name);
    const shown = `table "${[text(node.catalog_name), text(node.schema_name), name].filter(Boolean).join('.')}"`;
    if (text(node.catalog_name) !== '' || text(node.schema_name) !== '') return refuse(`${shown} is not one of Segmenta's tables (they are named without a schema)`);
    if (node.at_clause !== null && node.at_clause !== undefined) return refuse(`${shown}: AT (time travel) is not allowed`);
    const lower = name.toLowerCase();
    if (!READABLE_TABLES.has(lower) && !scope.has(lower)) refuse(`${shown} is not one of Segmenta's tables`);
    walk(node.sample, scope);
  };

  const tableFunction = (node: Node, scope: ReadonlySet<string>): void => {
    const fn = isNode(node.function) ? node.function : {};
    const name = text(fn.function_name).toLowerCase();
    if (!TABLE_FUNCTIONS.has(name) || text(fn.schema) !== '' || text(fn.catalog) !== '') return refuse(`table function ${name}() is not allowed`);
    walk(fn.children, scope);
  };

  const expression = (node: Node, scope: ReadonlySet<string>): void => {
    const cls = text(node.class);
    if (cls === 'FUNCTION' || cls === 'WINDOW' || cls === 'AGGREGATE') {
      const name = text(node.function_name).toLowerCase();
      const schema = text(node.schema).toLowerCase();
      const known = FUNCTIONS.has(name) || (node.is_operator === true && OPERATOR.test(name));
      if (!known || (schema !== '' && schema !== 'main') || text(node.catalog) !== '') refuse(`function ${name}() is not allowed`);
      if (node.export_state === true) refuse(`EXPORT_STATE of ${name}() is not allowed`);
    } else if (cls === 'CAST') {
      const target = isNode(node.cast_type) ? text(node.cast_type.id) : '';
      if (!CAST_TYPES.has(target)) {
        const info = isNode(node.cast_type) && isNode(node.cast_type.type_info) ? text(node.cast_type.type_info.name) : '';
        refuse(`a cast to ${info || target.toLowerCase()} is not allowed`);
      }
    } else if (cls === 'COLLATE') {
      refuse('COLLATE is not allowed');
    } else if (!PLAIN_EXPRESSIONS.has(cls)) {
      refuse(`${cls.toLowerCase().replaceAll('_', ' ')} expressions are not allowed`);
    }
    for (const [key, child] of Object.entries(node)) if (key !== 'cast_type' && key !== 'value') walk(child, scope);
  };

  walk(statement, new Set());
  return [...problems];
}
