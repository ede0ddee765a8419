package rw.intake.sample;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The module boundaries the build enforces; modules depend only leftward. Only a module's root package is its API: no
 * class here, main or test, uses another module's {@code internal} package. Main code uses no other module of ours:
 * it stands alone, and no test library.
 */
final class ArchitectureTest {

    private static final String OWN = "rw.intake.sample..";

    /** Our packages this module's main code may use: its own. */
    private static final String[] ALLOWED = {OWN};

    /** Libraries that only tests may use. */
    private static final String[] TEST_LIBRARIES = {
        "org.junit..", "org.assertj..", "com.tngtech.archunit..", "io.zonky..", "ch.vorburger..", "org.apache.poi.."};

    private static final JavaClasses MAIN = ours(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS);
    private static final JavaClasses MAIN_AND_TESTS = ours();

    @Test
    void anyClass_usesNoOtherModulesInternals() {
        noClasses().should().dependOnClassesThat(resideInAPackage("rw.intake..internal..").and(not(resideInAPackage(OWN))))
            .check(MAIN_AND_TESTS);
    }

    @Test
    void mainClass_usesNoModuleToItsRight() {
        noClasses().should().dependOnClassesThat(resideInAPackage("rw.intake..").and(not(resideInAnyPackage(ALLOWED))))
            .check(MAIN);
    }

    @Test
    void mainClass_usesNoTestLibrary() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage(TEST_LIBRARIES).check(MAIN);
    }

    /** This module's classes; the rules look only at the names of the classes they use, so those are not read. */
    private static JavaClasses ours(ImportOption... options) {
        ArchConfiguration.get().setResolveMissingDependenciesFromClassPath(false);
        return new ClassFileImporter(List.of(options)).importPackages("rw.intake.sample");
    }
}
