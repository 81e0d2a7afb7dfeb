/** A periodic segment's schedule is a schedule of the scheduling module (cron or "every N seconds"). */
export { checkSchedule, nextRun, type ScheduleCheck } from '../../scheduling/schedule.js';
