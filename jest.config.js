/** Unit tests only: plans, validation, diff functions. Integration tests are bash suites under tests/. */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/components", "<rootDir>/tests/unit"],
  testMatch: ["**/*.test.ts"],
};
