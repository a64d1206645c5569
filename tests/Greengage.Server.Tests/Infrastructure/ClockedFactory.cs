using Greengage.Engine.Actions;
using Greengage.Engine.Delivery;
using Greengage.Engine.Messages;
using Greengage.Server.Tests.Messages;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Infrastructure;

/// <summary>
/// The server with /api on a clock the tests move forward (<see cref="Clock"/>); with <see cref="DeliveryOnClock"/>, the
/// schedule runner, the outbox dispatcher and message changes (when a message was activated, paused, resumed) read it
/// too.
/// </summary>
public class ClockedFactory : GreengageFactory
{
    public ShiftedClock Clock { get; } = new();

    protected virtual bool DeliveryOnClock => false;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s =>
        {
            s.AddSingleton(sp => ActivatorUtilities.CreateInstance<ApiDispatcher>(sp, (TimeProvider)Clock));
            if (!DeliveryOnClock)
                return;
            s.AddSingleton(sp => ActivatorUtilities.CreateInstance<ScheduleRunner>(sp, (TimeProvider)Clock));
            s.AddSingleton(sp => ActivatorUtilities.CreateInstance<OutboxDispatcher>(sp, (TimeProvider)Clock));
            s.AddSingleton(sp => ActivatorUtilities.CreateInstance<MessageService>(sp, (TimeProvider)Clock));
        });
    }
}
