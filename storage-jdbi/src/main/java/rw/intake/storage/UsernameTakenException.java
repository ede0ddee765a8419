package rw.intake.storage;

/** An account's username that another account already has. */
public final class UsernameTakenException extends StorageException {
    private static final long serialVersionUID = 1L;

    private final String username;

    public UsernameTakenException(String username) {
        super("username " + username + " is taken");
        this.username = username;
    }

    public String username() {
        return username;
    }
}
