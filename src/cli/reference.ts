/**
 * Docs that stay true: the CLI reference (docs/CLI.md) is made from the commander tree the binary runs, and the config
 * file reference (docs/CONFIG.md, docs/config.schema.json) from the zod schema `hivelink hub` validates with. A test
 * compares the committed files with what this module makes; `npx tsx scripts/gen-reference.ts` writes them.
 *
 * @module
 */
import type { Command, Option } from 'commander';
import { z } from 'zod';
import { defaultHubConfig, hubConfigSchema } from '../hub/config.js';
import { CONFIG_DOCS } from '../hub/config-docs.js';
import { LIMIT_DEFS, type LimitDef } from '../limits.js';

function optionLine(o: Option): string {
  const def =
    o.defaultValue === undefined || o.negate ? '' : ` (default: \`${JSON.stringify(o.defaultValue)}\`)`;
  const choices =
    o.argChoices === undefined ? '' : ` (one of ${o.argChoices.map((c) => `\`${c}\``).join(', ')})`;
  return `| \`${o.flags.replace(/\|/g, '\\|')}\` | ${(o.description ?? '').replace(/\|/g, '\\|')}${choices}${def} |`;
}

function argumentsText(cmd: Command): string {
  return cmd.registeredArguments
    .map((a) => {
      const name = `${a.name()}${a.variadic ? '...' : ''}`;
      return a.required ? `<${name}>` : `[${name}]`;
    })
    .join(' ');
}

function commandSection(cmd: Command, path: string[], out: string[]): void {
  const name = [...path, cmd.name()].join(' ');
  const subs = cmd.commands.filter((c) => c.name() !== 'help');
  const args = argumentsText(cmd);
  out.push(`${path.length === 0 ? '##' : '###'} \`${name}${args === '' ? '' : ` ${args}`}\``, '');
  if (cmd.description() !== '') out.push(`${cmd.description()}`, '');
  const options = cmd.options.filter((o) => !o.hidden);
  if (options.length > 0) {
    out.push('| option | what |', '|---|---|', ...options.map(optionLine), '');
  }
  if (subs.length > 0 && path.length === 0) {
    out.push(`Subcommands: ${subs.map((s) => `\`${s.name()}\``).join(', ')}.`, '');
  }
  for (const sub of subs) commandSection(sub, [...path, cmd.name()], out);
}

/** docs/CLI.md for `program` (every command registered). */
export function cliReference(program: Command): string {
  const out = [
    '# CLI reference',
    '',
    'Generated from the command definitions by `npx tsx scripts/gen-reference.ts`; a test keeps it in step with the',
    'code. Every command also takes `-h, --help`. Exit codes: 0 ok, 1 failure (one line on stderr), 2 usage error.',
    '',
  ];
  for (const cmd of program.commands.filter((c) => c.name() !== 'help')) {
    commandSection(cmd, [], out);
  }
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

/** docs/config.schema.json: the JSON Schema of the hub config file (every key optional; limits by name). */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(hubConfigSchema.partial(), { unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  const limits = Object.fromEntries(
    (Object.entries(LIMIT_DEFS) as [string, LimitDef][])
      .filter(([, def]) => def.scope === 'hub')
      .map(([name, def]) => [
        name,
        {
          type: 'integer',
          minimum: def.min,
          default: def.default,
          description: `${def.summary} (${def.unit})`,
        },
      ]),
  );
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  for (const [key, text] of Object.entries(CONFIG_DOCS)) {
    if (properties[key] !== undefined) properties[key] = { description: text, ...properties[key] };
  }
  properties.limits = {
    description: 'Overrides of the limits by name (docs/LIMITS.md).',
    type: 'object',
    additionalProperties: false,
    properties: limits,
  };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'hivelink hub config file (hivelink.json)',
    ...schema,
    properties,
  };
}

/** docs/CONFIG.md: each key of the config file, its type, default and meaning. */
export function configReference(): string {
  const schema = configJsonSchema();
  const properties = schema.properties as Record<string, { description?: string; type?: unknown }>;
  const defaults = defaultHubConfig() as unknown as Record<string, unknown>;
  const rows = Object.entries(properties)
    .filter(([key]) => key !== 'limits')
    .map(([key, p]) => {
      const def = key in defaults ? `\`${JSON.stringify(defaults[key])}\`` : '';
      return `| \`${key}\` | ${def} | ${(p.description ?? '').replace(/\|/g, '\\|')} |`;
    });
  return `${[
    '# The hub config file',
    '',
    '`hivelink hub` reads `hivelink.json` from the config dir (`$XDG_CONFIG_HOME/hivelink`, else',
    '`~/.config/hivelink`), or the file `--config FILE` names; flags win over it. Unknown keys are refused with their',
    'name. Generated from the schema the hub validates with (`npx tsx scripts/gen-reference.ts`); the JSON Schema is',
    '[`config.schema.json`](config.schema.json), for editors. Limits go under `"limits"` by name: see',
    '[LIMITS.md](LIMITS.md).',
    '',
    '| key | default | what |',
    '|---|---|---|',
    ...rows,
    '| `limits` | `{}` | Overrides of the limits by name (`{"maxConnections": 500}`), see LIMITS.md |',
  ].join('\n')}\n`;
}
