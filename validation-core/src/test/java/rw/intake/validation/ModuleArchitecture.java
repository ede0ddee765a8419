package rw.intake.validation;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The module boundaries the build enforces, defined once for every module: each module's {@code ArchitectureTest}
 * extends this class with its {@link Module}. Only a module's root package is its API: no class of a module, main or
 * test, uses another module's {@code internal} package (at any depth, such as {@code rw.intake.server.internal.auth}).
 * Modules depend only leftward, as {@link Module} lists them, and main code uses no test library.
 *
 * <p>validation-core ships this class in its test-jar; a module uses it with {@code <type>test-jar</type>} and
 * {@code <scope>test</scope>}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ModuleArchitecture {

    /** Our modules, left to right. */
    public enum Module {
        VALIDATION("rw.intake.validation"),
        SAMPLE("rw.intake.sample"),
        EXCEL("rw.intake.excel"),
        STORAGE("rw.intake.storage"),
        SERVER("rw.intake.server");

        private final String root;

        Module(String root) {
            this.root = root;
        }

        /** The modules whose root packages this module's main code may use. */
        List<Module> uses() {
            return switch (this) {
                // the leftmost module uses the JDK and libphonenumber only; the generator stands alone
                case VALIDATION, SAMPLE -> List.of();
                // they read workbooks into, and store, validation-core's record types
                case EXCEL, STORAGE -> List.of(VALIDATION);
                // it wires up the modules to its left
                case SERVER -> List.of(VALIDATION, EXCEL, STORAGE);
            };
        }
    }

    /** Libraries that only tests may use. */
    private static final String[] TEST_LIBRARIES = {
        "org.junit..", "org.assertj..", "com.tngtech.archunit..", "io.zonky..", "ch.vorburger..", "org.apache.poi.."
    };

    private final String own;
    private final String[] allowed;
    private final JavaClasses main;
    private final JavaClasses mainAndTests;

    protected ModuleArchitecture(Module module) {
        own = module.root + "..";
        List<String> packages = new ArrayList<>();
        packages.add(own);
        module.uses().forEach(m -> packages.add(m.root));
        allowed = packages.toArray(String[]::new);
        // the rules look only at the names of the classes a module uses, so those are not read
        ArchConfiguration.get().setResolveMissingDependenciesFromClassPath(false);
        main = new ClassFileImporter(List.of(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)).importPackages(module.root);
        mainAndTests = new ClassFileImporter().importPackages(module.root);
    }

    /** This module's main classes, for the rules a module adds of its own. */
    protected final JavaClasses mainClasses() {
        return main;
    }

    @Test
    void anyClass_usesNoOtherModulesInternals() {
        noClasses()
                .should()
                .dependOnClassesThat(resideInAPackage("rw.intake..internal..").and(not(resideInAPackage(own))))
                .check(mainAndTests);
    }

    @Test
    void mainClass_usesNoModuleToItsRight() {
        noClasses()
                .should()
                .dependOnClassesThat(resideInAPackage("rw.intake..").and(not(resideInAnyPackage(allowed))))
                .check(main);
    }

    @Test
    void mainClass_usesNoTestLibrary() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(TEST_LIBRARIES)
                .check(main);
    }
}
