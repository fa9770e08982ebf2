#!/bin/sh
# Patroni's post_bootstrap on the new cluster's first primary ($1: a connection string to it): the app's role and database.
set -eu
psql -v ON_ERROR_STOP=1 "$1" -c "CREATE ROLE app LOGIN" -c "CREATE DATABASE app OWNER app"
