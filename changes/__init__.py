"""The pending-change engine: a module per kind of change (changes.kinds) with its portal form,
validation, before→after preview and effects; drafting between the portal's pages; submit,
withdraw, assign, accept and reject (changes.engine); the review queue (changes.queue).
Imports domain/ (and the date field of web.fields), never the apps."""
