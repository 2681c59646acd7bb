/** Unit tests, next to the modules they test. Integration tests are bash suites under tests/. */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/components", "<rootDir>/ops"],
  testMatch: ["**/*.test.ts"],
};
