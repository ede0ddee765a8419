package rw.intake.server.internal.web;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import rw.intake.server.internal.http.RequestBodies;

/**
 * Takes {@code X-HTTP-Method-Override} out of every request before the router sees it. Javalin routes a request by the
 * method this header names, so that a {@code GET} (a link, a prefetch, a proxy's retry) could commit or delete an
 * upload, and the request log and metrics would name a method that was never sent. A request is what its method says:
 * a {@code GET} of {@code .../commit} is 405 like any other wrong method.
 */
public final class NoMethodOverride extends Handler.Wrapper {
    static final String HEADER = "X-HTTP-Method-Override";

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        // the request's connection, for the reading of its body (RequestBodies): a body that stops arriving is cut
        // off after the grace period, not the connection's idle timeout
        request.setAttribute(
                RequestBodies.END_POINT,
                request.getConnectionMetaData().getConnection().getEndPoint());
        if (!request.getHeaders().contains(HEADER)) {
            return super.handle(request, response, callback);
        }
        HttpFields without =
                HttpFields.build(request.getHeaders()).remove(HEADER).asImmutable();
        return super.handle(
                new Request.Wrapper(request) {
                    @Override
                    public HttpFields getHeaders() {
                        return without;
                    }
                },
                response,
                callback);
    }
}
