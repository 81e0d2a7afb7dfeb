import { ALL_PARTNERS } from '../../domain/access/principal.js';
import type { Command } from 'commander';
import type { z } from 'zod';
import { termsUsingSegment } from '../../domain/terms/segment-refs.js';
import { getSegment } from '../../domain/segments/segments.repository.js';
import { createAgreement, deleteAgreement, getAgreement, listAgreements, updateAgreement } from '../../domain/terms/agreements.js';
import { createCampaign, deleteCampaign, getCampaign, listCampaigns, updateCampaign } from '../../domain/terms/campaigns.js';
import { discountTableCsvOptionsSchema, discountTableInputSchema } from '../../domain/terms/discount-table.schema.js';
import { deleteDiscountTable, getDiscountTable, listDiscountTables, saveDiscountTable, saveDiscountTableCsv } from '../../domain/terms/discount-tables.js';
import { createDiscount, deleteDiscount, getDiscount, listDiscounts, updateDiscount } from '../../domain/terms/discounts.js';
import { createManualDiscountLimit, deleteManualDiscountLimit, getManualDiscountLimit, listManualDiscountLimits, updateManualDiscountLimit } from '../../domain/terms/manual-discount-limits.js';
import { checkOrder } from '../../domain/terms/order-check.js';
import { priceOrder } from '../../domain/terms/order-pricing.js';
import { orderCheckSchema, orderSchema } from '../../domain/terms/order.schema.js';
import { openAgreements } from '../../domain/terms/partner-agreements.js';
import { createShipmentBan, deleteShipmentBan, getShipmentBan, listShipmentBans, updateShipmentBan } from '../../domain/terms/shipment-bans.js';
import { AppError } from '../../errors/app-error.js';
import type { Database } from '../../storage/database.js';
import type { Services } from '../../app/services.js';
import { stateWith } from '../../domain/access/audit.js';
import { cliWrite } from '../audit.js';
import { withDatabase } from '../context.js';
import type { CliIo } from '../io.js';
import { parseInput, readJsonInput, readText } from '../json-input.js';
import { printJson } from '../output.js';
import {
  agreementInputSchema,
  agreementPatchSchema,
  campaignInputSchema,
  campaignPatchSchema,
  discountInputSchema,
  discountPatchSchema,
  manualDiscountLimitInputSchema,
  manualDiscountLimitPatchSchema,
  shipmentBanInputSchema,
  shipmentBanPatchSchema,
  type TableUploadResult,
} from '../../domain/terms/terms.schema.js';

/** `segmenta terms …` (sales terms, docs/sales-terms.md) and `segmenta order price|check`. */

interface TermCommands {
  readonly input: z.ZodType;
  readonly patch: z.ZodType;
  list(db: Database): Promise<readonly object[]>;
  get(db: Database, id: string): Promise<object>;
  create(db: Database, input: never, services: Services): Promise<object>;
  update(db: Database, id: string, patch: never, services: Services): Promise<object>;
  remove(db: Database, id: string, services: Services): Promise<unknown>;
}

const KINDS: Readonly<Record<string, TermCommands>> = {
  campaigns: { input: campaignInputSchema, patch: campaignPatchSchema, list: listCampaigns, get: getCampaign, create: createCampaign, update: updateCampaign, remove: deleteCampaign },
  agreements: { input: agreementInputSchema, patch: agreementPatchSchema, list: listAgreements, get: getAgreement, create: createAgreement, update: updateAgreement, remove: deleteAgreement },
  discounts: {
    input: discountInputSchema,
    patch: discountPatchSchema,
    list: listDiscounts,
    get: getDiscount,
    create: async (_db, input, services) => createDiscount(services.segments, input),
    update: async (_db, id, patch, services) => updateDiscount(services.segments, id, patch),
    remove: async (_db, id, services) => deleteDiscount(services.segments, id),
  },
  bans: { input: shipmentBanInputSchema, patch: shipmentBanPatchSchema, list: listShipmentBans, get: getShipmentBan, create: createShipmentBan, update: updateShipmentBan, remove: deleteShipmentBan },
  limits: {
    input: manualDiscountLimitInputSchema,
    patch: manualDiscountLimitPatchSchema,
    list: listManualDiscountLimits,
    get: getManualDiscountLimit,
    create: createManualDiscountLimit,
    update: updateManualDiscountLimit,
    remove: deleteManualDiscountLimit,
  },
  tables: {
    input: discountTableInputSchema,
    patch: discountTableInputSchema,
    list: listDiscountTables,
    get: getDiscountTable,
    create: async (_db, input, services) => saveDiscountTable(services.segments, input),
    update: async (_db, _id, input, services) => saveDiscountTable(services.segments, input),
    remove: async (_db, id, services) => deleteDiscountTable(services.segments, id),
  },
};

const KIND_NAMES = Object.keys(KINDS).join(', ');

/** The entity each kind's writes are recorded as in the audit log (as the API names them). */
const AUDIT_ENTITY: Readonly<Record<string, string>> = {
  campaigns: 'campaign',
  agreements: 'agreement',
  discounts: 'discount',
  bans: 'shipment-ban',
  limits: 'manual-discount-limit',
  tables: 'discount-table',
};
/** The entity of a kind and how to read one by id, for the audit log. */
const termAudit = (db: Database, kind: string) => ({ entity: AUDIT_ENTITY[kind] ?? kind, load: (id: string) => kindOf(kind).get(db, id) });

function kindOf(name: string): TermCommands {
  const kind = KINDS[name];
  if (!kind) throw new AppError('VALIDATION_FAILED', { summary: `there are no sales terms "${name}"; use one of ${KIND_NAMES}`, issues: [] });
  return kind;
}

function printTable(io: CliIo, result: TableUploadResult): void {
  const { discounts, segments } = result;
  io.console.log(
    `Table ${result.table.id}: ${result.cells.length} cells; discounts +${discounts.created} ~${discounts.updated} =${discounts.unchanged} −${discounts.removed}; ` +
      `segments +${segments.created.length} (generated ${segments.generated}), reused ${segments.reused}, dropped ${segments.dropped.length}`,
  );
}

export function registerTerms(program: Command, io: CliIo): void {
  const terms = program.command('terms').description(`Sales terms: ${KIND_NAMES} (docs/sales-terms.md)`);

  terms
    .command('list <kind>')
    .description(`All terms of a kind (${KIND_NAMES})`)
    .option('--json', 'print JSON')
    .action(async (kind: string, options: { json?: boolean }, command: Command) =>
      withDatabase(command, async (db) => {
        const items = await kindOf(kind).list(db);
        if (options.json) return printJson(io, items);
        io.console.table(
          items.map((item) =>
            Object.fromEntries(
              Object.entries(item)
                .filter(([, v]) => typeof v !== 'object' || v === null)
                .filter(([k]) => !k.endsWith('At')),
            ),
          ),
        );
      }),
    );

  terms
    .command('show <kind> <id>')
    .description('One term as JSON')
    .action(async (kind: string, id: string, _o: unknown, command: Command) => withDatabase(command, async (db) => printJson(io, await kindOf(kind).get(db, id))));

  terms
    .command('create <kind> <file>')
    .description('Create a term from a JSON file ("-" for standard input); a dynamic segment is refused')
    .action(async (kind: string, file: string, _o: unknown, command: Command) =>
      withDatabase(command, async (db, services) => {
        const k = kindOf(kind);
        const input = parseInput(k.input, readJsonInput(file));
        const audit = termAudit(db, kind);
        const id = kind === 'tables' ? ((input as { id?: string }).id ?? null) : null;
        const created = await cliWrite(db, command, { ...audit, action: kind === 'tables' ? `${audit.entity}.save` : `${audit.entity}.create`, entityId: id }, () =>
          k.create(db, input as never, services),
        );
        printJson(io, created);
      }),
    );

  terms
    .command('update <kind> <id> <file>')
    .description('Change a term from a JSON file of the fields to change')
    .action(async (kind: string, id: string, file: string, _o: unknown, command: Command) =>
      withDatabase(command, async (db, services) => {
        const k = kindOf(kind);
        const patch = parseInput(k.patch, readJsonInput(file));
        const audit = termAudit(db, kind);
        printJson(
          io,
          await cliWrite(db, command, { ...audit, action: kind === 'tables' ? `${audit.entity}.save` : `${audit.entity}.update`, entityId: id }, () => k.update(db, id, patch as never, services)),
        );
      }),
    );

  terms
    .command('delete <kind> <id>')
    .description('Delete a term (a campaign only when nothing is bound to it)')
    .action(async (kind: string, id: string, _o: unknown, command: Command) =>
      withDatabase(command, async (db, services) => {
        const audit = termAudit(db, kind);
        await cliWrite(db, command, { ...audit, action: `${audit.entity}.delete`, entityId: id, after: ({ state, result }) => (result === undefined ? state : stateWith(state, { result })) }, () =>
          kindOf(kind).remove(db, id, services),
        );
        io.console.log(`Deleted ${kind} ${id}`);
      }),
    );

  terms
    .command('table <file>')
    .description('Create or update a whole cumulative discount table (seed 002) from CSV or JSON; the same id again updates it')
    .option('--id <id>', 'the table id (CSV; JSON carries its own)')
    .option('--name <name>', 'the table name (CSV)')
    .option('--combine <mode>', 'max (default), sum, priority or exclusive')
    .option('--priority <n>', 'priority of its discounts')
    .option('--campaign <id>', 'bind its discounts to a marketing campaign')
    .option('--language <lang>', 'ru (default) or en: names of the segments and discounts it creates')
    .option('--no-generate', 'do not generate the new segments now (they are generated daily)')
    .option('--delimiter <d>', 'CSV delimiter: "," ";" or "tab" (detected by default)')
    .option('--json', 'print the whole result as JSON')
    .action(
      async (
        file: string,
        options: { id?: string; name?: string; combine?: string; priority?: string; campaign?: string; language?: string; generate: boolean; delimiter?: string; json?: boolean },
        command: Command,
      ) =>
        withDatabase(command, async (db, services) => {
          let result: TableUploadResult;
          const audit = { ...termAudit(db, 'tables'), action: 'discount-table.save' };
          if (file.toLowerCase().endsWith('.json')) {
            const input = parseInput(discountTableInputSchema, readJsonInput(file));
            result = await cliWrite(db, command, { ...audit, entityId: input.id }, () => saveDiscountTable(services.segments, { ...input, ...(options.generate ? {} : { generate: false }) }));
          } else {
            if (!options.id) throw new AppError('VALIDATION_FAILED', { summary: 'a CSV table needs --id', issues: [] });
            const csvOptions = parseInput(discountTableCsvOptionsSchema, {
              ...(options.name ? { name: options.name } : {}),
              ...(options.combine ? { combine: options.combine } : {}),
              ...(options.priority ? { priority: options.priority } : {}),
              ...(options.campaign ? { campaignId: options.campaign } : {}),
              ...(options.language ? { language: options.language } : {}),
              ...(options.delimiter ? { delimiter: options.delimiter } : {}),
              generate: options.generate ? 'true' : 'false',
            });
            const id = options.id;
            result = await cliWrite(db, command, { ...audit, entityId: id }, () => saveDiscountTableCsv(services.segments, id, readText(file), csvOptions));
          }
          if (options.json) printJson(io, result);
          else printTable(io, result);
        }),
    );

  terms
    .command('usage <segmentId>')
    .description('The sales terms that use a segment')
    .action(async (segmentId: string, _o: unknown, command: Command) =>
      withDatabase(command, async (db) => {
        await getSegment(db, segmentId);
        printJson(io, await termsUsingSegment(db, segmentId));
      }),
    );

  terms
    .command('agreements-for <partnerId>')
    .description('The agreements open to a partner')
    .option('--date <date>', 'YYYY-MM-DD (default today)')
    .action(async (partnerId: string, options: { date?: string }, command: Command) =>
      withDatabase(command, async (db) => printJson(io, await openAgreements(db, ALL_PARTNERS, partnerId, ...(options.date ? [options.date] : [])))),
    );

  const order = program.command('order').description('Price an order or check that it may be shipped, against the sales terms');

  order
    .command('price <file>')
    .description('Price an order from a JSON file ({partnerId, date?, agreementId?, lines: [{productId, quantity, price}], manualDiscount?})')
    .option('--json', 'print the whole answer as JSON')
    .action(async (file: string, options: { json?: boolean }, command: Command) =>
      withDatabase(command, async (db) => {
        const priced = await priceOrder(db, ALL_PARTNERS, parseInput(orderSchema, readJsonInput(file)));
        if (options.json) return printJson(io, priced);
        io.console.table(
          priced.lines.map((l) => ({
            line: l.line,
            product: l.productId,
            amount: l.amount,
            '%': l.discountPercent,
            discount: l.discountAmount,
            total: l.amountAfterDiscount,
            rule: l.rule?.name ?? '—',
            segment: l.rule?.segmentId ?? l.rule?.productSegmentId ?? '—',
          })),
        );
        io.console.log(`Total ${priced.totals.amount} − ${priced.totals.discountAmount} = ${priced.totals.amountAfterDiscount}`);
        if (priced.manualDiscount && !priced.manualDiscount.allowed) io.console.log(`Manual discount ${priced.manualDiscount.requested}% is above the limit of ${priced.manualDiscount.limit}%`);
      }),
    );

  order
    .command('check <file>')
    .description('May the order be shipped? Shipment bans, manual discount limit, agreement (exit code 2 when not)')
    .option('--json', 'print the whole answer as JSON')
    .action(async (file: string, options: { json?: boolean }, command: Command) =>
      withDatabase(command, async (db) => {
        const result = await checkOrder(db, ALL_PARTNERS, parseInput(orderCheckSchema, readJsonInput(file)));
        if (options.json) printJson(io, result);
        else if (result.allowed) io.console.log(`Allowed: partner ${result.partnerId} may be shipped to`);
        else for (const reason of result.reasons) io.console.log(`Not allowed (${reason.code}): ${reason.message}`);
        if (!result.allowed) io.exitCode = 2;
      }),
    );
}
