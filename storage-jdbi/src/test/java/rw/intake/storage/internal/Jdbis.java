package rw.intake.storage.internal;

import org.jdbi.v3.core.Jdbi;
import rw.intake.storage.Storage;

/** For tests outside this package: the Jdbi behind a storage, whose handles and statements a test may watch. */
public final class Jdbis {

    private Jdbis() {}

    /** The Jdbi both of the storage's stores use: listeners added to its configuration see every later statement. */
    public static Jdbi of(Storage storage) {
        return ((JdbiStorage) storage).jdbi();
    }
}
