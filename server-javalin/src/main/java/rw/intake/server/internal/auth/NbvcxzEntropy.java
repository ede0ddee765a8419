package rw.intake.server.internal.auth;

import java.util.function.ToDoubleFunction;
import me.gosimple.nbvcxz.Nbvcxz;

/**
 * nbvcxz's estimate of a password, in bits (log2 of the guesses it would take). {@link PasswordEstimator} defines this
 * class and nbvcxz's in a class loader of their own and calls it through {@link ToDoubleFunction}; it is public for
 * that. Not thread-safe.
 */
public final class NbvcxzEntropy implements ToDoubleFunction<String> {

    private final Nbvcxz nbvcxz = new Nbvcxz();

    @Override
    public double applyAsDouble(String password) {
        return nbvcxz.estimate(password).getEntropy();
    }
}
