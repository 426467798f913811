// Cron syntax checking, here so that only src/schedule/ imports node-cron.
import { validate } from "node-cron";

export function isValidCron(expression: string): boolean {
  return validate(expression);
}
