"""tap-restspec: a Singer tap for REST APIs described by Adobe Experience Platform sourceSpec files."""
