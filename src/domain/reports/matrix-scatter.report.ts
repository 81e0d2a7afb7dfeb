import { z } from 'zod';
import { matrixScatter } from '../analytics/matrix.js';
import { column, defineReport, fullTable } from './report.js';
import { asOfParam, limitParam } from './report-params.js';

/** A matrix's scatter (SPEC §6): each placed partner's x and y and quadrant, and the partners per quadrant. */
export const matrixScatterReport = defineReport({
  name: 'matrix-scatter',
  title: 'Matrix scatter',
  description: 'Every partner placed on a BCG-style matrix: its two values and its quadrant; partners per quadrant',
  params: z.object({
    matrix: z.string().min(1).describe('Matrix id'),
    asOf: asOfParam.describe('Measures evaluated on this day (default today)'),
    limit: limitParam,
  }),
  async run(db, scope, params) {
    const scatter = await matrixScatter(db, scope, params.matrix, { limit: params.limit, ...(params.asOf ? { asOf: params.asOf } : {}) });
    const { matrix } = scatter;
    return {
      parameters: { matrix: matrix.id, asOf: scatter.asOf, limit: params.limit },
      summary: {
        matrix: matrix.id,
        matrixName: matrix.name,
        x: matrix.x.label,
        xThreshold: matrix.x.threshold,
        y: matrix.y.label,
        yThreshold: matrix.y.threshold,
        placed: scatter.total,
      },
      tables: [
        fullTable(
          'quadrants',
          'Partners per quadrant',
          [
            column('quadrant', 'Quadrant'),
            column('name', 'Name'),
            column('x', matrix.x.label),
            column('y', matrix.y.label),
            column('partners', 'Partners', 'integer'),
            column('share', 'Share', 'share'),
          ],
          scatter.quadrants.map((q) => ({
            quadrant: q.key,
            name: q.name,
            x: q.position.startsWith('high') ? `≥ ${matrix.x.threshold}` : `< ${matrix.x.threshold}`,
            y: q.position.endsWith('High') ? `≥ ${matrix.y.threshold}` : `< ${matrix.y.threshold}`,
            partners: q.partners,
            share: scatter.total ? q.partners / scatter.total : 0,
          })),
        ),
        {
          ...fullTable(
            'points',
            'Partners',
            [column('partnerId', 'Id'), column('name', 'Partner'), column('x', matrix.x.label, 'number'), column('y', matrix.y.label, 'number'), column('quadrant', 'Quadrant')],
            scatter.points.map((p) => ({ ...p })),
          ),
          total: scatter.total,
        },
      ],
    };
  },
});
