import { z } from 'zod';
import { csiNps } from '../analytics/csi-nps.js';
import { column, defineReport, fullTable } from './report.js';
import { asOfParam, dateParam, listParam } from './report-params.js';

/** CSI and NPS from survey answers (docs/analytics.md), for the whole base, per segment and per manager, by quarter. */
export const csiNpsReport = defineReport({
  name: 'csi-nps',
  title: 'CSI and NPS by quarter',
  description: 'CSI = answers 8–10 ÷ answers 1–3; NPS = % 9–10 − % 0–6; whole base, per segment, per manager, by quarter',
  params: z.object({
    from: dateParam.optional().describe('First day (default: the day after asOf − 12 months)'),
    to: dateParam.optional().describe('Last day (default asOf)'),
    asOf: asOfParam,
    types: listParam.optional().describe('Interaction types that are survey answers (default "survey")'),
    segments: listParam.optional().describe('Also per each of these partner segments'),
    byManager: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true')
      .describe('Also per manager (default true)'),
  }),
  async run(db, scope, params) {
    const result = await csiNps(db, scope, {
      ...(params.from ? { from: params.from } : {}),
      ...(params.to ? { to: params.to } : {}),
      ...(params.asOf ? { asOf: params.asOf } : {}),
      ...(params.types && params.types.length ? { types: params.types } : {}),
      segments: params.segments ?? [],
      byManager: params.byManager,
    });
    const total = result.rows.find((r) => r.scope === 'all' && r.quarter === 'total');
    return {
      parameters: { from: result.from, to: result.to, types: [...result.types], segments: params.segments ?? [], byManager: params.byManager },
      summary: { responses: total?.responses ?? 0, csi: total?.csi ?? null, nps: total?.nps ?? null, averageScore: total?.averageScore ?? null },
      tables: [
        fullTable(
          'indices',
          'CSI and NPS',
          [
            column('scope', 'Scope'),
            column('key', 'Id'),
            column('name', 'Name'),
            column('quarter', 'Quarter'),
            column('responses', 'Answers', 'integer'),
            column('promoters', 'Promoters 9–10', 'integer'),
            column('passives', 'Passives 7–8', 'integer'),
            column('detractors', 'Detractors 0–6', 'integer'),
            column('csiHigh', 'CSI attract 8–10', 'integer'),
            column('csiLow', 'CSI detract 1–3', 'integer'),
            column('csi', 'CSI', 'number'),
            column('nps', 'NPS', 'number'),
            column('averageScore', 'Average score', 'number'),
          ],
          result.rows.map((r) => ({
            scope: r.scope,
            key: r.key,
            name: r.name,
            quarter: r.quarter,
            responses: r.responses,
            promoters: r.promoters,
            passives: r.passives,
            detractors: r.detractors,
            csiHigh: r.csiHigh,
            csiLow: r.csiLow,
            csi: r.csi,
            nps: r.nps,
            averageScore: r.averageScore,
          })),
        ),
      ],
    };
  },
});
