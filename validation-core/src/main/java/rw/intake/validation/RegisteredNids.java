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

    /**
     * The look-up for one pass over a list (one upload's validation), whose calls may share what its first call
     * learns: a store that other writers share catches up with their commits once for the pass, at its first call,
     * instead of at every call. A NID registered by another writer during the pass may then be missed by the pass's
     * later calls (committing such a record finds it, as for one registered after the validation). By default this
     * look-up itself.
     */
    default RegisteredNids forOnePass() {
        return this;
    }

    /** A look-up that knows no registered NID. */
    static RegisteredNids none() {
        return nids -> Set.of();
    }
}
