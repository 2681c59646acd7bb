import * as fs from "fs";
import * as path from "path";
import { Facility, FacilityConfigError, loadFacilities } from "./config";

/**
 * Reads `<dir>/*.yaml` (and mistaken `*.yml`) and validates them all. A missing folder is no
 * facilities; README and `*.sample` files are documentation.
 */
export function readFacilityFiles(dir: string, secretIsSet: (key: string) => boolean): Facility[] {
  if (!fs.existsSync(dir)) return [];
  if (!fs.statSync(dir).isDirectory()) throw new FacilityConfigError(`${dir}: not a folder; facilitiesDir must name the folder of facility files`);
  const files = fs.readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => ({ path: path.join(dir, name), text: fs.readFileSync(path.join(dir, name), "utf8") }));
  return loadFacilities(files, secretIsSet);
}
