import { describe, expect, it } from "vitest";
import { parseDurationSeconds } from "../../src/auth/duration";

describe("parseDurationSeconds", () => {
  it.each([
    ["3600", 3600],
    ["45s", 45],
    ["30m", 1800],
    ["12h", 43_200],
    ["15d", 1_296_000],
    ["2w", 1_209_600],
    [" 15D ", 1_296_000],
    ["P15D", 1_296_000],
    ["PT12H", 43_200],
    ["P1DT2H30M", 95_400],
    ["PT0.5M", 30],
    ["P2W", 1_209_600],
    ["PT90S", 90],
  ])("reads %j as %i seconds", (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });

  it.each([
    "",
    "0",
    "0s",
    "-5",
    "5x",
    "1.5h",
    "P",
    "PT",
    "P1Y",
    "P1M",
    "15 days",
    "1e3",
    "abc",
    "9".repeat(20),
    "P1DT",
  ])("refuses %j", (text) => {
    expect(parseDurationSeconds(text)).toBeNull();
  });
});
