import * as fs from "fs";
import * as path from "path";
import { FACILITY_FILE_LIMITS, Facility, FacilityConfigError, FacilityFile, SecretLookup, loadFacilities } from "./facility";

/**
 * Reads `<dir>/*.yaml` (and mistaken `*.yml`) and validates them all. A missing folder is no
 * facilities; README and `*.sample` files are documentation. A file larger than the limit is
 * read only that far: its size is the problem reported.
 */
export function readFacilityFiles(dir: string, secrets: SecretLookup): Facility[] {
  if (!fs.existsSync(dir)) return [];
  if (!fs.statSync(dir).isDirectory()) throw new FacilityConfigError(`${dir}: not a folder; facilitiesDir must name the folder of facility files`);
  const files = fs.readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => readAtMost(path.join(dir, name), FACILITY_FILE_LIMITS.bytes));
  return loadFacilities(files, secrets);
}

/** The file's text, or for a file over the limit only its size (it is refused for that). */
function readAtMost(file: string, limit: number): FacilityFile {
  const size = fs.statSync(file).size;
  return size > limit ? { path: file, text: "", bytes: size } : { path: file, text: fs.readFileSync(file, "utf8") };
}
