package rw.intake.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class EmailTest {

    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "bob@gmail.com                 | ''             | bob@gmail.com",
                "Abig@gmail.com                | ''             | Abig@gmail.com",
                "bob@GMAIL.COM                 | ''             | bob@gmail.com",
                "BOB@Gmail.Com                 | ''             | BOB@gmail.com",
                "'  bob@gmail.com  '           | ''             | bob@gmail.com",
                "a.b+c@sub.example.rw          | ''             | a.b+c@sub.example.rw",
                "o'neil@example.org            | ''             | o'neil@example.org",
                "'x!#$%&*/=?^_`{|}~-y@ex.com'  | ''             | 'x!#$%&*/=?^_`{|}~-y@ex.com'",
                "a@b-c.co                      | ''             | a@b-c.co",
                "a@1.2.rw                      | ''             | a@1.2.rw",
                "a@example.xn--p1ai            | ''             | a@example.xn--p1ai",
                "a@example.XN--P1AI            | ''             | a@example.xn--p1ai",
                "''                            | email.required |",
                "'   '                         | email.required |",
                "bobby@yahoo                   | email.invalid  |",
                "@gamil.com                    | email.invalid  |",
                "bob@                          | email.invalid  |",
                "bob                           | email.invalid  |",
                "bob.gmail.com                 | email.invalid  |",
                "bob@@gmail.com                | email.invalid  |",
                "a@b@gmail.com                 | email.invalid  |",
                ".bob@gmail.com                | email.invalid  |",
                "bob.@gmail.com                | email.invalid  |",
                "b..ob@gmail.com               | email.invalid  |",
                "bob@-gmail.com                | email.invalid  |",
                "bob@gmail-.com                | email.invalid  |",
                "bob@gmail..com                | email.invalid  |",
                "bob@.gmail.com                | email.invalid  |",
                "bob@gmail.com.                | email.invalid  |",
                "bob@gmail.c                   | email.invalid  |",
                "bob@gmail.c0m                 | email.invalid  |",
                "bob@gmail.co-m                | email.invalid  |",
                "bo b@gmail.com                | email.invalid  |",
                "bob@gmail .com                | email.invalid  |",
                "bob@gmail_x.com               | email.invalid  |",
                "b\u00F3b@gmail.com            | email.invalid  |",
                "bob@g\u00F3mail.com           | email.invalid  |",
                "\"bob\"@gmail.com             | email.invalid  |",
                "bob(x)@gmail.com              | email.invalid  |",
                "bob@[10.0.0.1]                | email.invalid  |",
            })
    void validate_email(String cell, String codes, String normalized) {
        ValidatedRecord r = Records.VALIDATOR.validate(Records.with(Field.EMAIL, cell));

        assertThat(Records.codes(r)).isEqualTo(Records.expected(codes));
        assertThat(r.normalized().email()).isEqualTo(normalized);
    }

    @ParameterizedTest(name = "[{index}] {0} characters")
    @CsvSource({"64, ''", "65, email.invalid"})
    void validate_emailLocalPartLength(int length, String codes) {
        ValidatedRecord r = Records.VALIDATOR.validate(Records.with(Field.EMAIL, "a".repeat(length) + "@gmail.com"));

        assertThat(Records.codes(r)).isEqualTo(Records.expected(codes));
    }

    @ParameterizedTest(name = "[{index}] {0} characters")
    @CsvSource({"63, ''", "64, email.invalid"})
    void validate_emailLabelLength(int length, String codes) {
        ValidatedRecord r = Records.VALIDATOR.validate(Records.with(Field.EMAIL, "bob@" + "a".repeat(length) + ".com"));

        assertThat(Records.codes(r)).isEqualTo(Records.expected(codes));
    }

    @ParameterizedTest(name = "[{index}] {0} characters")
    @CsvSource({"254, ''", "255, email.invalid"})
    void validate_emailTotalLength(int length, String codes) {
        String domain = ("a".repeat(50) + ".").repeat(4);
        String local = "x".repeat(length - 1 - domain.length() - 2);
        ValidatedRecord r = Records.VALIDATOR.validate(Records.with(Field.EMAIL, local + "@" + domain + "rw"));

        assertThat((local + "@" + domain + "rw").length()).isEqualTo(length);
        assertThat(Records.codes(r)).isEqualTo(Records.expected(codes));
    }

    @Test
    void validate_emailMessageSaysWhy() {
        ValidatedRecord r = Records.VALIDATOR.validate(Records.with(Field.EMAIL, "bobby@yahoo"));

        assertThat(r.violations())
                .singleElement()
                .extracting(Violation::message)
                .isEqualTo("Email must look like name@example.com: the domain needs a dot, as in example.com");
    }
}
