/**
 * Upload, review and commit: the routes under {@code /api/v1/uploads} and {@code /api/v1/users}, wired by
 * {@link rw.intake.server.internal.upload.UploadModule}, and the work behind them in
 * {@link rw.intake.server.internal.upload.UploadService} (also used by the legacy routes).
 *
 * <p>Choices where the contracts are silent:
 * <ul>
 *   <li>The request body is read from the servlet input stream with a bound ({@code MAX_UPLOAD_BYTES}, plus 64 KiB of
 *       multipart framing); a declared {@code Content-Length} over it is refused before reading. Multipart is parsed
 *       here from those bytes, never by Jetty, which spools large parts to temporary files. A raw body may carry its
 *       file name in the {@code fileName} query parameter; a name loses its control characters and is cut to 255
 *       characters, keeping its extension.</li>
 *   <li>Each upload reserves the rows its sheet holds below the header (counted in excel-ingest's pre-pass, at most
 *       {@code MAX_ROWS}) when accepted and while it is read (its records so far if more), and only its
 *       record count once validated (0 if it failed). One user's uploads may hold at most
 *       {@code STAGING_MAX_RECORDS_PER_USER} records. When a budget is short, the oldest committed or failed uploads
 *       (their data is in the database, or there is none) are dropped first; only then is a new upload refused with
 *       503 {@code staging.full} ({@code Retry-After: 30}), saying whether the user's share or the total is full. The
 *       per-user count works the same way.</li>
 *   <li>A committed upload stays staged and readable (status {@code committed}, with its commit result) until it is
 *       deleted, expires after {@code STAGING_IDLE_MINUTES} without being read, or is dropped for budget as above.
 *       Conflicts found by the commit ({@code nid.already_registered}, a NID another commit registered since
 *       validation) are brought into the staged upload as committed: its records, totals and filter indexes are
 *       rebuilt and swapped in at once, so pages say what the database says.</li>
 *   <li>While validated, records can be fixed: {@code PATCH .../records/{row}} edits raw values or leaves the record
 *       out, {@code POST .../records/exclude} leaves out every record of a filter. A staged record's verdict is then
 *       the verdict of its current values: the edited record is validated again, and every record that shares its old
 *       or new NID, phone or email is judged again (duplicates name the first earlier occurrence that is not left out;
 *       a left-out record is judged but makes no other a duplicate; a new first occurrence is looked up among the
 *       registered NIDs). Edits are refused (409) once a commit starts; their history goes into {@code record_edits}
 *       with the commit, and left-out records are not committed (they count in {@code skipped}).</li>
 *   <li>Records of a failed upload are dropped at once; its summary stays with {@code failure}. Pages and commits of
 *       it answer 409 {@code upload.failed}; while validating, 409 {@code upload.not_ready} with
 *       {@code Retry-After: 1}. A commit racing another commit of the same upload gets 409
 *       {@code upload.already_committed}.</li>
 *   <li>In a record, {@code names}, {@code nid}, ... are the raw cell texts; {@code normalized} holds the normalized
 *       values (null for a field with an error); {@code field} in errors and in the {@code field=} filter is the rules'
 *       key ({@code phone_number}; {@code phoneNumber} is accepted too). An unknown {@code code=} matches nothing.</li>
 *   <li>The error report ({@code report.xlsx}, {@code report.csv}; {@code ErrorReport}) is
 *       written to the response while the staged records are read, under the header names the sheet had (kept on the
 *       upload when it is accepted). The .xlsx comments only the first {@code XlsxReport.MAX_COMMENTS} marked cells,
 *       since fastexcel holds comments in memory until the sheet ends; the CSV puts an apostrophe before a cell a
 *       spreadsheet would run as a formula. docs/API.md has the details.</li>
 *   <li>The legacy routes act on the caller's most recent staged upload and wait up to 30 s for its validation, since
 *       the first version answered with validated records right after the upload.</li>
 *   <li>A commit that fails because the database cannot be reached answers 503 {@code database.unavailable} and
 *       leaves the upload {@code validated}, to be committed again. Once {@link UploadModule#drain} has started
 *       (SIGTERM), uploads and commits answer 503 {@code server.shutting_down}; running commits are waited for.</li>
 * </ul>
 *
 * <p>Memory: a staged record is a run of bytes in a chunked arena ({@code StagedRecords}): the raw cells as UTF-8, a
 * normalized value only where it differs from the raw text, violations as an index into a table of
 * {@code (field, code, severity)} plus a related row and an interned message. Filter indexes ({@code RecordIndex})
 * are int arrays per status x field and status x code, filled while validating, so a filtered page costs its size.
 * A page of records is written as JSON straight from the packed bytes ({@code RecordPageJson}), without rebuilding
 * the records.
 * An edit writes the record's new bytes at the end of the arena and moves its offset, and moves it between the sorted
 * index lists (binary search and a shift); the duplicate groups ({@code DuplicateGroups}: per rule, a primitive map
 * from key to first record and a next-record link per record) are built at an upload's first edit, before it takes
 * the write lock, from the keys staging collected ({@code DuplicateKeys}: three longs a record, dropped once the
 * groups exist), so an edit walks only the groups of its old and new values. Pages, summaries and single records read
 * under a per-upload read lock, edits hold its write lock.
 * Reading (excel-ingest), checking (validation-core) and the registered-NID look-ups with staging run as the three
 * stages of a {@code Pipeline}, on the reader, checker and registering pools; releasing an upload cancels them.
 */
package rw.intake.server.internal.upload;
