package rw.intake.server.internal.web;

import io.javalin.http.ExceptionHandler;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
import io.javalin.router.JavalinDefaultRoutingApi;
import io.javalin.security.RouteRole;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsExceptionHandler;
import io.javalin.websocket.WsHandlerType;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The routes of the server, through which every GET route also answers HEAD as it answers GET, without the body
 * (Jetty leaves out the body of an answer to HEAD): the same status, content type and headers. Javalin on its own lets
 * a HEAD request through to the before-handlers of a GET route and then answers 200 with nothing, whatever GET would
 * say, so that {@code HEAD /api/v1/health/ready} said 200 while the server was not ready, and a HEAD of an upload that
 * does not exist said 200.
 */
public final class HeadAsGet implements JavalinDefaultRoutingApi {
    private final JavalinDefaultRoutingApi routes;

    public HeadAsGet(JavalinDefaultRoutingApi routes) {
        this.routes = Objects.requireNonNull(routes, "routes");
    }

    @Override
    public JavalinDefaultRoutingApi addEndpoint(Endpoint endpoint) {
        routes.addEndpoint(endpoint);
        if (HandlerType.GET.equals(endpoint.method)) {
            routes.addEndpoint(new Endpoint(HandlerType.HEAD, endpoint.path, endpoint.handler));
        }
        return this;
    }

    @Override
    public <E extends Exception> JavalinDefaultRoutingApi exception(
            Class<E> type, ExceptionHandler<? super E> handler) {
        routes.exception(type, handler);
        return this;
    }

    @Override
    public JavalinDefaultRoutingApi error(int status, String contentType, Handler handler) {
        routes.error(status, contentType, handler);
        return this;
    }

    @Override
    public <E extends Exception> JavalinDefaultRoutingApi wsException(
            Class<E> type, WsExceptionHandler<? super E> handler) {
        routes.wsException(type, handler);
        return this;
    }

    @Override
    public JavalinDefaultRoutingApi addWsHandler(
            WsHandlerType type, String path, Consumer<WsConfig> config, RouteRole... roles) {
        routes.addWsHandler(type, path, config, roles);
        return this;
    }
}
