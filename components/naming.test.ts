import { dataTopic, slugify } from "./naming";
import { sortedJson } from "./json";

describe("naming", () => {
  it("builds canonical topic names", () => {
    expect(dataTopic("Visits")).toBe("clinicmasterwarehouse-sqlserver.ClinicMasterMOH.dbo.Visits");
  });

  it("slugifies names with quotes, slashes, ampersands, backslashes and accents", () => {
    expect(slugify(`St. Mary's "Lacor" / A&E \\ Gulu — Hôpital`)).toBe("st-mary-s-lacor-a-e-gulu-hopital");
  });
});

describe("sortedJson", () => {
  it("sorts keys at every level and keeps arrays in order", () => {
    expect(sortedJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 2 } }, 0)).toBe('{"a":{"c":2,"d":[3,{"y":2,"z":1}]},"b":1}');
  });
});
