package rw.intake.storage;

import java.time.Instant;
import java.util.List;
import rw.intake.validation.Violation;

/** A row of the {@code users} table. */
public record CommittedUser(
        long id,
        String uploadId,
        int row,
        String names,
        String nid,
        String phoneNumber,
        String gender,
        String email,
        boolean valid,
        boolean nidValid,
        boolean phoneValid,
        boolean emailValid,
        boolean namesValid,
        boolean genderValid,
        List<Violation> errors,
        Instant committedAt) {

    public CommittedUser {
        errors = List.copyOf(errors);
    }
}
