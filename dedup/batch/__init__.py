"""The batch flow over corpora of any size: shards, passes, corpus-wide decisions, stores and progress."""
