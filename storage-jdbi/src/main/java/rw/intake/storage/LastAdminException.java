package rw.intake.storage;

/** Disabling this account would leave no enabled admin. */
public final class LastAdminException extends StorageException {
    private static final long serialVersionUID = 1L;

    public LastAdminException(String username) {
        super("account " + username + " is the last enabled admin");
    }
}
