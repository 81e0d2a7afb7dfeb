import { Paper, Text } from '@mantine/core';
import { memo, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { CartesianGrid, ReferenceArea, ReferenceLine, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, type TooltipContentProps } from 'recharts';
import { QUADRANT_POSITIONS, type MatrixScatter, type QuadrantPosition, type ScatterPoint } from '../../../api/analytics';
import classes from '../analytics.module.css';
import { useNumbers } from '../numbers';
import { fromScale, scaleDomain, scaleTicks, toScale, type AxisScale } from './matrix-model';

/** The colour of each quadrant: the stars green, the dogs grey. */
export const QUADRANT_COLORS: Record<QuadrantPosition, string> = {
  highHigh: 'teal',
  highLow: 'blue',
  lowHigh: 'orange',
  lowLow: 'gray',
};
const shade = (position: QuadrantPosition) => `var(--mantine-color-${QUADRANT_COLORS[position]}-6)`;

/** Where each quadrant's name goes in its corner of the chart. */
const LABEL_POSITION: Record<QuadrantPosition, 'insideTopRight' | 'insideBottomRight' | 'insideTopLeft' | 'insideBottomLeft'> = {
  highHigh: 'insideTopRight',
  highLow: 'insideBottomRight',
  lowHigh: 'insideTopLeft',
  lowLow: 'insideBottomLeft',
};

interface Dot extends ScatterPoint {
  sx: number;
  sy: number;
}

function PointTooltip({ active, payload, scatter }: TooltipContentProps & { scatter: MatrixScatter }) {
  const numbers = useNumbers();
  const point = active ? (payload?.[0]?.payload as Dot | undefined) : undefined;
  if (!point) return null;
  const quadrant = scatter.quadrants.find((q) => q.key === point.quadrant);
  return (
    <Paper withBorder shadow="sm" p="xs" radius="sm" maw={280}>
      <Text size="sm" fw={600}>
        {point.name}
      </Text>
      <Text size="xs" c="dimmed">
        {point.partnerId}
        {quadrant ? ` · ${quadrant.name}` : ''}
      </Text>
      <Text size="xs" mt={4}>
        {scatter.matrix.x.label}: <b>{numbers.whole(point.x)}</b>
      </Text>
      <Text size="xs">
        {scatter.matrix.y.label}: <b>{numbers.whole(point.y)}</b>
      </Text>
    </Paper>
  );
}

interface MatrixScatterChartProps {
  scatter: MatrixScatter;
  scale: AxisScale;
}

/**
 * Each placed partner at its x and y, coloured by quadrant; dashed lines at the thresholds and
 * each quadrant's name and count in its corner. A click on a point opens the partner.
 */
export const MatrixScatterChart = memo(function MatrixScatterChart({ scatter, scale }: MatrixScatterChartProps) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const numbers = useNumbers();
  const { matrix } = scatter;
  const positionOf = useMemo(() => new Map(QUADRANT_POSITIONS.map((p) => [matrix.quadrants[p].key, p])), [matrix]);
  const series = useMemo(() => {
    const byPosition: Record<QuadrantPosition, Dot[]> = { highHigh: [], highLow: [], lowHigh: [], lowLow: [] };
    for (const point of scatter.points) {
      const position = positionOf.get(point.quadrant);
      if (position) byPosition[position].push({ ...point, sx: toScale(scale, point.x), sy: toScale(scale, point.y) });
    }
    return byPosition;
  }, [scatter.points, positionOf, scale]);
  const xDomain = useMemo(() => scaleDomain(scale, scatter.points.map((p) => p.x), matrix.x.threshold), [scatter.points, matrix.x.threshold, scale]);
  const yDomain = useMemo(() => scaleDomain(scale, scatter.points.map((p) => p.y), matrix.y.threshold), [scatter.points, matrix.y.threshold, scale]);
  const tx = toScale(scale, matrix.x.threshold);
  const ty = toScale(scale, matrix.y.threshold);
  const tick = (value: number) => numbers.compact(fromScale(scale, value));
  const axisTick = { fontSize: 11, fill: 'var(--mantine-color-gray-6)' };
  const count = (position: QuadrantPosition) => scatter.quadrants.find((q) => q.position === position)?.partners ?? 0;
  const areas: Record<QuadrantPosition, { x: [number, number]; y: [number, number] }> = {
    highHigh: { x: [tx, xDomain[1]], y: [ty, yDomain[1]] },
    highLow: { x: [tx, xDomain[1]], y: [yDomain[0], ty] },
    lowHigh: { x: [xDomain[0], tx], y: [ty, yDomain[1]] },
    lowLow: { x: [xDomain[0], tx], y: [yDomain[0], ty] },
  };

  return (
    <div className={classes.scatter} data-testid="matrix-scatter" data-points={scatter.points.length} role="img" aria-label={t('analytics.matrix.chartTitle')}>
      <ResponsiveContainer width="100%" height="100%">
        <ScatterChart margin={{ top: 8, right: 12, bottom: 22, left: 4 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--mantine-color-gray-2)" />
          {QUADRANT_POSITIONS.map((position) => (
            <ReferenceArea
              key={position}
              x1={areas[position].x[0]}
              x2={areas[position].x[1]}
              y1={areas[position].y[0]}
              y2={areas[position].y[1]}
              fill={shade(position)}
              fillOpacity={0.05}
              stroke="none"
              ifOverflow="hidden"
            />
          ))}
          {/* The names over the points, with a white halo so they stay readable in a crowd. */}
          {QUADRANT_POSITIONS.map((position) => (
            <ReferenceArea
              key={`label-${position}`}
              x1={areas[position].x[0]}
              x2={areas[position].x[1]}
              y1={areas[position].y[0]}
              y2={areas[position].y[1]}
              fillOpacity={0}
              stroke="none"
              ifOverflow="hidden"
              zIndex={2100}
              label={{
                value: `${matrix.quadrants[position].name} · ${numbers.whole(count(position))}`,
                position: LABEL_POSITION[position],
                fill: shade(position),
                fontSize: 12,
                fontWeight: 700,
                style: { paintOrder: 'stroke', stroke: 'white', strokeWidth: 4, strokeLinejoin: 'round' },
              }}
            />
          ))}
          <XAxis
            type="number"
            dataKey="sx"
            domain={xDomain}
            ticks={scale === 'sqrt' ? scaleTicks(scale, xDomain) : undefined}
            tickFormatter={tick}
            tick={axisTick}
            allowDataOverflow
            name={matrix.x.label}
            label={{ value: matrix.x.label, position: 'insideBottom', offset: -14, fontSize: 12, fill: 'var(--mantine-color-gray-7)' }}
          />
          <YAxis
            type="number"
            dataKey="sy"
            domain={yDomain}
            ticks={scale === 'sqrt' ? scaleTicks(scale, yDomain) : undefined}
            tickFormatter={tick}
            tick={axisTick}
            allowDataOverflow
            width={64}
            name={matrix.y.label}
            label={{ value: matrix.y.label, angle: -90, position: 'insideLeft', offset: 12, fontSize: 12, fill: 'var(--mantine-color-gray-7)', style: { textAnchor: 'middle' } }}
          />
          <ReferenceLine x={tx} stroke="var(--mantine-color-dark-3)" strokeDasharray="6 4" ifOverflow="extendDomain" />
          <ReferenceLine y={ty} stroke="var(--mantine-color-dark-3)" strokeDasharray="6 4" ifOverflow="extendDomain" />
          <Tooltip content={(props) => <PointTooltip {...props} scatter={scatter} />} cursor={{ strokeDasharray: '3 3' }} isAnimationActive={false} />
          {QUADRANT_POSITIONS.map((position) => (
            <Scatter
              key={position}
              name={matrix.quadrants[position].name}
              data={series[position]}
              isAnimationActive={false}
              onClick={(dot) => {
                const id = (dot as unknown as { payload?: Dot }).payload?.partnerId;
                if (id) void navigate(`/partners/${encodeURIComponent(id)}`);
              }}
              shape={(props: { cx?: number; cy?: number }) => (
                <circle className="matrix-point" cx={props.cx} cy={props.cy} r={3.2} fill={shade(position)} fillOpacity={0.5} stroke={shade(position)} strokeOpacity={0.9} strokeWidth={0.6} style={{ cursor: 'pointer' }} />
              )}
            />
          ))}
        </ScatterChart>
      </ResponsiveContainer>
    </div>
  );
});
