"""Photos: content-addressed uploads (PUT and tus), safe processing with Pillow, storage and authorised serving."""
