def navigation(request):
    """`section`: which top-level area the page belongs to, for the navigation bar."""
    match = getattr(request, "resolver_match", None)
    return {"section": (match.namespace or match.url_name or "") if match else ""}
