package rw.intake.storage.internal;

import rw.intake.storage.Storage;

/** For tests and the bench outside this package: waits for a storage's registered-NID filter. */
public final class Prefilters {

    private Prefilters() {}

    /** Waits until the storage's registered-NID filter is loaded (or its load failed); true if it is loaded. */
    public static boolean await(Storage storage) throws InterruptedException {
        NidPrefilter filter = ((JdbiUserStore) storage.users()).prefilter();
        filter.awaitLoad();
        return filter.ready();
    }
}
