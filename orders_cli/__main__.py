from orders_cli.app import main

raise SystemExit(main())
