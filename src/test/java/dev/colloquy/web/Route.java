package dev.colloquy.web;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/** A route the service maps: one method and one path pattern. */
record Route(String method, String pattern) {

    String key() {
        return method + " " + pattern;
    }

    /**
     * Every route Spring MVC maps, read from its handler mapping so a new route is covered the day it
     * is added (a mapping without methods counts as GET), sorted, the WebSocket endpoint aside.
     */
    static List<Route> all(RequestMappingHandlerMapping mappings) {
        var routes = new ArrayList<Route>();
        mappings.getHandlerMethods().forEach((info, handler) -> {
            var methods = info.getMethodsCondition().getMethods();
            var patterns = info.getPathPatternsCondition() == null
                    ? Set.<String>of()
                    : info.getPathPatternsCondition().getPatternValues();
            for (var pattern : patterns) {
                if (methods.isEmpty()) {
                    routes.add(new Route("GET", pattern));
                }
                for (RequestMethod method : methods) {
                    routes.add(new Route(method.name(), pattern));
                }
            }
        });
        routes.removeIf(route -> route.pattern().startsWith("/ws/"));
        routes.sort(Comparator.comparing(Route::key));
        return routes;
    }
}
