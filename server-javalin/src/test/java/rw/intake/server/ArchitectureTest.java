package rw.intake.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import org.junit.jupiter.api.Test;
import rw.intake.validation.ModuleArchitecture;

/**
 * This module's boundaries, as {@link ModuleArchitecture} defines them for every module, and the server's own: its API
 * is its root package ({@code Main}, {@code ServerApp}, {@code ServerConfig}); everything else is under
 * {@code internal}, whose packages depend on each other without a cycle and never on the root.
 */
final class ArchitectureTest extends ModuleArchitecture {

    ArchitectureTest() {
        super(Module.SERVER);
    }

    @Test
    void internalClass_usesNoRootClass() {
        // The root package wires the internal packages together; never the reverse.
        noClasses()
                .that()
                .resideInAPackage("rw.intake.server.internal..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("rw.intake.server")
                .check(mainClasses());
    }

    @Test
    void internalPackages_formNoCycle() {
        slices().matching("rw.intake.server.internal.(*)..")
                .should()
                .beFreeOfCycles()
                .check(mainClasses());
    }
}
