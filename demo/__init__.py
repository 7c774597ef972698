"""The bundled demo API (``demo.api.DemoAPI``) and the small HTTP core it shares with the tests."""
