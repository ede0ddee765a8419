package rw.intake.server.internal.upload;

import rw.intake.storage.Page;
import rw.intake.validation.ValidatedRecord;

/**
 * What the read-only routes need of a staged upload: its owner, summary, pages and single records. An {@link Upload}
 * is one; a shared store may answer with a view that reads only what each request covers ({@link RemoteUpload}).
 */
interface ReadableUpload {

    String owner();

    UploadSummary summary();

    /**
     * A page of records under a filter as the records route's JSON, valid until this thread writes its next page
     * ({@link PageJson}); {@code page} from 1.
     *
     * @throws rw.intake.server.internal.http.ApiException 409 while validating or failed
     */
    PageJson pageJson(RecordFilter filter, int page, int size);

    /**
     * The same page as records (the legacy routes' shape is made of them).
     *
     * @throws rw.intake.server.internal.http.ApiException 409 while validating or failed
     */
    Page<ValidatedRecord> page(RecordFilter filter, int page, int size);

    /**
     * Record {@code row} with its history.
     *
     * @throws rw.intake.server.internal.http.ApiException 404 {@code record.not_found}; 409 while validating or failed
     */
    Upload.Detail record(int row);
}
