import { Paper, Text } from '@mantine/core';
import { memo, useMemo, useState, type MouseEvent } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { CartesianGrid, DefaultZIndexes, ReferenceArea, ReferenceLine, ResponsiveContainer, ScatterChart, usePlotArea, useXAxisScale, useYAxisScale, XAxis, YAxis, ZIndexLayer } from 'recharts';
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

/** A point under the pointer, at its place in the chart (pixels). */
interface Hovered {
  dot: Dot;
  px: number;
  py: number;
  /** The chart's size, to keep the tooltip inside it. */
  width: number;
  height: number;
}

function PointTooltip({ hovered, scatter }: { hovered: Hovered; scatter: MatrixScatter }) {
  const { t } = useTranslation();
  const numbers = useNumbers();
  const { dot } = hovered;
  const quadrant = scatter.quadrants.find((q) => q.key === dot.quadrant);
  return (
    <Paper
      withBorder
      shadow="sm"
      p="xs"
      radius="sm"
      w={240}
      style={{
        position: 'absolute',
        left: hovered.px,
        top: hovered.py,
        // Away from the point, towards the middle of the chart, so it stays inside.
        transform: `translate(${hovered.px > hovered.width / 2 ? 'calc(-100% - 12px)' : '12px'}, ${hovered.py > hovered.height / 2 ? 'calc(-100% - 12px)' : '12px'})`,
        pointerEvents: 'none',
        zIndex: 2,
      }}
      data-testid="matrix-tooltip"
    >
      <Text size="sm" fw={600} lineClamp={2}>
        {dot.name}
      </Text>
      <Text size="xs" c="dimmed">
        {dot.partnerId}
        {quadrant ? ` · ${quadrant.name}` : ''}
      </Text>
      <Text size="xs" mt={4}>
        {scatter.matrix.x.label}: <b>{numbers.whole(dot.x)}</b>
      </Text>
      <Text size="xs">
        {scatter.matrix.y.label}: <b>{numbers.whole(dot.y)}</b>
      </Text>
      <Text size="xs" c="dimmed" mt={4}>
        {t('analytics.matrix.openPartner')}
      </Text>
    </Paper>
  );
}

const RADIUS = 3.2;
/** Over the quadrant names (labels draw at 2000, ours at 2100). */
const HOVER_LAYER = 2200;

/**
 * The partners' points, one SVG path per quadrant (thousands of points draw at once that way,
 * where a shape per point takes seconds), with the nearest point under the pointer shown and
 * opened on click.
 */
function PointsLayer({ series, scatter, tooltipHost }: { series: Record<QuadrantPosition, Dot[]>; scatter: MatrixScatter; tooltipHost: HTMLElement | null }) {
  const navigate = useNavigate();
  const xScale = useXAxisScale();
  const yScale = useYAxisScale();
  const plot = usePlotArea();
  const [hovered, setHovered] = useState<Hovered | null>(null);
  const drawn = useMemo(() => {
    if (!xScale || !yScale) return null;
    const places: Omit<Hovered, 'width' | 'height'>[] = [];
    const paths = QUADRANT_POSITIONS.map((position) => {
      const parts: string[] = [];
      for (const dot of series[position]) {
        const px = Number(xScale(dot.sx));
        const py = Number(yScale(dot.sy));
        if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
        places.push({ dot, px, py });
        parts.push(`M${(px - RADIUS).toFixed(1)},${py.toFixed(1)}a${RADIUS},${RADIUS} 0 1,0 ${2 * RADIUS},0a${RADIUS},${RADIUS} 0 1,0 ${-2 * RADIUS},0`);
      }
      return { position, d: parts.join(''), count: parts.length };
    });
    return { paths, places };
  }, [xScale, yScale, series]);
  if (!drawn || !plot) return null;

  const nearest = (event: MouseEvent<SVGRectElement>): Hovered | null => {
    const svg = event.currentTarget.ownerSVGElement;
    const matrix = svg?.getScreenCTM();
    if (!svg || !matrix) return null;
    const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
    let best: Omit<Hovered, 'width' | 'height'> | null = null;
    let bestDistance = 10 * 10;
    for (const place of drawn.places) {
      const distance = (place.px - point.x) ** 2 + (place.py - point.y) ** 2;
      if (distance <= bestDistance) {
        best = place;
        bestDistance = distance;
      }
    }
    return best && { ...best, width: svg.clientWidth, height: svg.clientHeight };
  };

  return (
    <>
      <ZIndexLayer zIndex={DefaultZIndexes.scatter}>
        {drawn.paths.map(({ position, d, count }) => (
          <path
            key={position}
            className="matrix-points"
            data-position={position}
            data-count={count}
            d={d}
            fill={shade(position)}
            fillOpacity={0.5}
            stroke={shade(position)}
            strokeOpacity={0.9}
            strokeWidth={0.6}
          />
        ))}
      </ZIndexLayer>
      {/* Above the quadrant names, so the pointer reaches it everywhere in the plot. */}
      <ZIndexLayer zIndex={HOVER_LAYER}>
        {hovered && <circle cx={hovered.px} cy={hovered.py} r={RADIUS + 3} fill="none" stroke="var(--mantine-color-dark-6)" strokeWidth={2} pointerEvents="none" />}
        <rect
          x={plot.x}
          y={plot.y}
          width={plot.width}
          height={plot.height}
          fill="transparent"
          style={{ cursor: hovered ? 'pointer' : 'default' }}
          onMouseMove={(event) => setHovered(nearest(event))}
          onMouseLeave={() => setHovered(null)}
          onClick={(event) => {
            const target = nearest(event);
            if (target) void navigate(`/partners/${encodeURIComponent(target.dot.partnerId)}`);
          }}
          data-testid="matrix-hit-area"
        />
      </ZIndexLayer>
      {hovered && tooltipHost && createPortal(<PointTooltip hovered={hovered} scatter={scatter} />, tooltipHost)}
    </>
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
  const numbers = useNumbers();
  // A state, not a ref: the points layer needs the element once it exists, to put its tooltip there.
  const [host, setHost] = useState<HTMLDivElement | null>(null);
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
  const xDomain = useMemo(
    () =>
      scaleDomain(
        scale,
        scatter.points.map((p) => p.x),
        matrix.x.threshold,
      ),
    [scatter.points, matrix.x.threshold, scale],
  );
  const yDomain = useMemo(
    () =>
      scaleDomain(
        scale,
        scatter.points.map((p) => p.y),
        matrix.y.threshold,
      ),
    [scatter.points, matrix.y.threshold, scale],
  );
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
    <>
      <Text size="xs" c="dimmed" fw={600} mb={2} data-testid="matrix-y-caption">
        ↑ {matrix.y.label}
      </Text>
      <div
        ref={setHost}
        className={classes.scatter}
        style={{ position: 'relative' }}
        data-testid="matrix-scatter"
        data-points={scatter.points.length}
        role="img"
        aria-label={t('analytics.matrix.chartTitle')}
      >
        <ResponsiveContainer width="100%" height="100%">
          <ScatterChart margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
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
            <XAxis type="number" dataKey="sx" domain={xDomain} ticks={scaleTicks(scale, xDomain)} tickFormatter={tick} tick={axisTick} allowDataOverflow name={matrix.x.label} />
            <YAxis type="number" dataKey="sy" domain={yDomain} ticks={scaleTicks(scale, yDomain)} tickFormatter={tick} tick={axisTick} allowDataOverflow width={64} name={matrix.y.label} />
            <ReferenceLine x={tx} stroke="var(--mantine-color-dark-3)" strokeDasharray="6 4" ifOverflow="extendDomain" />
            <ReferenceLine y={ty} stroke="var(--mantine-color-dark-3)" strokeDasharray="6 4" ifOverflow="extendDomain" />
            <PointsLayer series={series} scatter={scatter} tooltipHost={host} />
          </ScatterChart>
        </ResponsiveContainer>
      </div>
      <Text size="xs" c="dimmed" fw={600} ta="right" mt={2} data-testid="matrix-x-caption">
        {matrix.x.label} →
      </Text>
    </>
  );
});
