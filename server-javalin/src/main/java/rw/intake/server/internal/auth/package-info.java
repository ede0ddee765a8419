/**
 * Accounts, tokens and login throttling.
 *
 * <ul>
 *   <li>{@link rw.intake.server.internal.auth.AuthController}: the token routes. Refresh tokens are single-use and rotate; a
 *       second use of one revokes its login's family; a password change or a disabled account ends them. The state
 *       is in the database ({@code refresh_tokens}), so server instances on one database share it.</li>
 *   <li>{@link rw.intake.server.internal.auth.Tokens}: HS256 JWTs, every claim checked for presence and type (401, never
 *       500).</li>
 *   <li>{@link rw.intake.server.internal.auth.LoginThrottle}: leaky buckets per (username, address) pair and per address;
 *       slows down, never locks out.</li>
 *   <li>{@link rw.intake.server.internal.auth.AccountRoutes}: the admin-only accounts routes;
 *       {@link rw.intake.server.internal.auth.Accounts} and {@link rw.intake.server.internal.auth.PasswordPolicy}: the rules shared
 *       with the command line.</li>
 * </ul>
 */
package rw.intake.server.internal.auth;
