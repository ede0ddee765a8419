package rw.intake.server;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The module boundaries the build enforces; modules depend only leftward. Only a module's root package is its API: no
 * class here, main or test, uses another module's {@code internal} package. Main code uses validation-core,
 * excel-ingest and storage-jdbi, which it wires up, and no test library. The server's own API is its root package
 * ({@code Main}, {@code ServerApp}, {@code ServerConfig}); everything else is under {@code internal}, whose packages
 * depend on each other without a cycle and never on the root.
 */
final class ArchitectureTest {

    private static final String OWN = "rw.intake.server..";

    /**
     * Our packages this module's main code may use: its own and the root packages of {@code rw.intake.validation},
     * {@code rw.intake.excel}, {@code rw.intake.storage}.
     */
    private static final String[] ALLOWED = {OWN, "rw.intake.validation", "rw.intake.excel", "rw.intake.storage"};

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

    @Test
    void internalClass_usesNoRootClass() {
        // The root package (Main, ServerApp, ServerConfig) wires the internal packages together; never the reverse.
        noClasses().that().resideInAPackage("rw.intake.server.internal..")
            .should().dependOnClassesThat().resideInAPackage("rw.intake.server")
            .check(MAIN);
    }

    @Test
    void internalPackages_formNoCycle() {
        slices().matching("rw.intake.server.internal.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    /** This module's classes; the rules look only at the names of the classes they use, so those are not read. */
    private static JavaClasses ours(ImportOption... options) {
        ArchConfiguration.get().setResolveMissingDependenciesFromClassPath(false);
        return new ClassFileImporter(List.of(options)).importPackages("rw.intake.server");
    }
}
