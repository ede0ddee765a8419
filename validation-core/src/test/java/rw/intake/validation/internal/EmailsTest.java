package rw.intake.validation.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

final class EmailsTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource({
        "bob@gmail.com, 0",
        "a.b+c@sub.example.rw, 0",
        "bob@GMAIL.COM, 12",
        "BOB@gmail.com, 0",
        "a@example.xn--p1ai, -1",
        "bob@gmail, -1",
        ".bob@gmail.com, -1",
        "bob.@gmail.com, -1",
        "b..ob@gmail.com, -1",
        "bob@-gmail.com, -1",
        "bob@gmail-.com, -1",
        "bob@gmail..com, -1",
        "bob@gmail.c, -1",
        "bob@gmail.c0m, -1",
        "a@b@gmail.com, -1"
    })
    void plain_answersTheCommonCaseAndLeavesTheRest(String address, int expected) {
        assertThat(Emails.plain(address)).isEqualTo(expected);
    }

    /** Random addresses from the characters that matter: the one-pass check never calls valid what the grammar refuses. */
    @ParameterizedTest(name = "[{index}] seed {0}")
    @ValueSource(ints = {1, 2, 3})
    void plain_agreesWithProblemOnRandomAddresses(int seed) {
        Random random = new Random(seed);
        String alphabet = "aZ0.-@_+x n\u00E9'";
        int plain = 0;
        for (int k = 0; k < 100_000; k++) {
            StringBuilder b = new StringBuilder();
            int length = random.nextInt(14);
            for (int i = 0; i < length; i++) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            if (random.nextBoolean()) {
                b.append(random.nextBoolean() ? ".com" : random.nextBoolean() ? ".XN--P1AI" : ".Rw");
            }
            String s = b.toString();
            int answer = Emails.plain(s);
            if (answer != Emails.NOT_PLAIN) {
                plain++;
                assertThat(Emails.problem(s)).as(s).isNull();
                assertThat(answer == 0)
                        .as(s)
                        .isEqualTo(Emails.lowerCaseDomain(s).equals(s));
            }
        }
        assertThat(plain).isGreaterThan(100);
    }

    @Test
    void duplicateKey_ignoresCaseAndTellsAddressesApart() {
        assertThat(Emails.duplicateKey("Bob.Kagabo@gmail.com")).isEqualTo(Emails.duplicateKey("bob.kagabo@GMAIL.COM"));
        Set<Long> keys = new HashSet<>();
        for (int i = 0; i < 300_000; i++) {
            keys.add(Emails.duplicateKey("bob.kagabo" + i + "@gmail.com"));
            keys.add(Emails.duplicateKey("a" + Integer.toString(i, 36) + "@x.rw"));
        }
        assertThat(keys).hasSize(600_000);
        assertThat(Emails.duplicateKey("ab@x.rw")).isNotEqualTo(Emails.duplicateKey("ab@x.rw\u0000"));
    }
}
