"""DRF's content negotiation, its answer remembered per Accept header.

DRF parses the request's Accept header and matches it against the view's renderers on every
request (a twentieth of a short list's time), though the answer depends on nothing else:
the header, the `?format=` asked for and the renderers' media types and formats. API
clients send the same header on every request, so the answer (which renderer of the list,
and the media type) is kept per those inputs and given again, with this request's own
renderer instance. A header DRF refuses is refused as DRF refuses it, every time.
"""

from rest_framework.negotiation import DefaultContentNegotiation

#: Distinct Accept headers remembered per process: clients send a handful; a client that
#: invents a new one per request cannot make this grow past it.
MAX_REMEMBERED = 256


class ContentNegotiation(DefaultContentNegotiation):
    _answers: dict = {}

    def select_renderer(self, request, renderers, format_suffix=None):
        format = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        key = (request.META.get("HTTP_ACCEPT"), format,
               tuple((type(r), r.media_type, r.format) for r in renderers))
        answer = self._answers.get(key)
        if answer is not None:
            index, media_type = answer
            return renderers[index], media_type
        renderer, media_type = super().select_renderer(request, renderers, format_suffix)
        if len(self._answers) < MAX_REMEMBERED:
            index = next(i for i, r in enumerate(renderers) if r is renderer)
            self._answers[key] = (index, media_type)
        return renderer, media_type
