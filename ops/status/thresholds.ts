import { StatusThresholds, statusThresholdsSchema } from "../../components/settings/stack";

/** When `npm run status` calls the pipeline unhealthy: the stack setting `statusThresholds` (schema in components/settings/stack.ts). */
export type { StatusThresholds };

/** The thresholds when the stack sets none. */
export const STATUS_THRESHOLD_DEFAULTS: StatusThresholds = statusThresholdsSchema.parse(undefined);
