package rw.intake.storage;

/**
 * A page of committed users.
 *
 * @param page     from 1
 * @param size     from 1 to 500
 * @param uploadId only this upload's users, or null for all
 * @param valid    only valid (true) or invalid (false) users, or null for both
 * @param owner    only users of uploads by this username, or null for everyone's (admin)
 */
public record UserQuery(int page, int size, String uploadId, Boolean valid, String owner) {

    public UserQuery {
        if (page < 1 || size < 1 || size > 500) {
            throw new IllegalArgumentException("page must be >= 1 and size from 1 to 500");
        }
    }
}
