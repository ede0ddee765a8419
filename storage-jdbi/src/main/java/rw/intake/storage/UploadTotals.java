package rw.intake.storage;

/** An upload's totals as validated. */
public record UploadTotals(long records, long valid, long invalid, long withWarnings, long blankRows) {}
