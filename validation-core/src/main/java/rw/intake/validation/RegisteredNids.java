package rw.intake.validation;

import java.util.Collection;
import java.util.Set;

/**
 * Batched look-up of NIDs that already belong to a valid committed record ({@code nid.already_registered}).
 * Implemented by the storage module; must be thread-safe.
 */
@FunctionalInterface
public interface RegisteredNids {

    /** The subset of {@code nids} (normalized 16-digit strings, possibly repeated) that are already registered. */
    Set<String> registeredAmong(Collection<String> nids);

    /** A look-up that knows no registered NID. */
    static RegisteredNids none() {
        return nids -> Set.of();
    }
}
